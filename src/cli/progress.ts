/**
 * A one-line progress indicator on stderr ("collecting 2s / 5s"), redrawn every 250 ms,
 * shown only when stdout is a terminal. Returns the function that clears it.
 */
export function startProgress(label: string, totalMs: number, stream: NodeJS.WriteStream = process.stderr): () => void {
  if (!process.stdout.isTTY) return () => undefined;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  const startedAt = Date.now();
  let frame = 0;
  const draw = () => {
    const elapsed = Math.min(totalMs, Date.now() - startedAt);
    stream.write(`\r${frames[frame++ % frames.length]} ${label} ${Math.floor(elapsed / 1000)}s / ${Math.round(totalMs / 1000)}s`);
  };
  draw();
  const timer = setInterval(draw, 250);
  timer.unref();
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
}
