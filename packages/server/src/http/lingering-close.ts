/**
 * The lingering close of RFC 9112 §9.6, which Node's HTTP server does not do.
 *
 * When an answer that closes the connection is written before the request's body has been read (a 401 or 413 sent
 * before a large upload arrives, a GET that carries a body), Node closes the socket while the client is still
 * sending. The kernel answers the bytes still arriving with a reset, and the reset makes the client's kernel discard
 * whatever part of the answer the client had not yet read: the client sees ECONNRESET, or half an answer, instead of
 * the answer (nodejs/node#9085, #12339, #21026). So the server half-closes instead: it sends the answer and its FIN,
 * keeps reading (and discarding) what the client still sends, and closes when the client closes — or after
 * `LINGER_MS`, as nginx's `lingering_timeout` does, so that a client that never stops cannot hold the socket.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export const LINGER_MS = 5_000;

/** Makes every connection of `server` close in stages (Node calls `destroySoon` after an answer that closes it). */
export function lingerBeforeClosing(server: Server, lingerMs = LINGER_MS): void {
  function lingeringDestroySoon(this: Socket): void {
    if (this.destroyed) return;
    // end() sends the FIN once the answer's bytes are written; the socket then closes itself when the client's FIN
    // arrives (both sides ended), and the request parser keeps draining the body until then.
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), lingerMs);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  }
  server.on('connection', (socket: Socket) => {
    socket.destroySoon = lingeringDestroySoon;
  });
}
