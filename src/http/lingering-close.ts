import type { Response } from 'express';
import type { Socket } from 'node:net';

/** How long, and how much, an answered connection may still send before it is cut. */
export interface Linger {
  ms: number;
  bytes: number;
}

const DEFAULT_LINGER: Linger = { ms: 2_000, bytes: 1024 * 1024 };

/**
 * For an answer given before the request's body was read (a 413 from the headers alone): the
 * connection closes after it, but not at once. A client is usually still sending its body then;
 * a socket closed with bytes still arriving makes the kernel answer them with a reset, and a
 * client busy writing sees EPIPE/ECONNRESET instead of our answer (seen: 3 tries in 5). So after
 * the answer we stop writing (FIN), drop what still comes for a bounded time and amount, and
 * only then close, as nginx's and Apache's "lingering close" do. The bounds keep a client
 * claiming 1 GiB from holding the connection: it has `ms` and `bytes`, then it is cut.
 */
export function closeAfterAnswer(res: Response, linger: Linger = DEFAULT_LINGER): void {
  res.set('Connection', 'close');
  const socket = res.req.socket as Socket & { destroySoon?: () => void };
  // Node's server ends a `Connection: close` answer with socket.destroySoon(): end, then destroy
  // as soon as the answer is flushed. This socket lingers instead.
  socket.destroySoon = () => {
    let received = 0;
    const cut = () => socket.destroy();
    const timer = setTimeout(cut, linger.ms);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > linger.bytes) cut();
    });
    socket.end();
    socket.resume();
  };
}
