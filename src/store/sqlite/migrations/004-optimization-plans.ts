import type { Migration } from '../migrate.js';

export const optimizationPlans: Migration = {
  version: 4,
  name: 'optimization plans by id',
  sql: `
    CREATE TABLE optimization_plans (
      id TEXT PRIMARY KEY,
      environment TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      plan TEXT NOT NULL            -- JSON of the plan, free of credentials like the audit log
    );
    CREATE INDEX optimization_plans_by_environment ON optimization_plans (environment, created_ms);
  `,
};
