// The network is closed in tests: any connection to a host that is not loopback fails the test, so a
// forgotten real Stripe or SMTP call can never pass silently.
import net from 'node:net';

const loopback = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0']);
const originalConnect = net.Socket.prototype.connect;

function hostOf(args: unknown[]): string | undefined {
  const first = args[0];
  if (Array.isArray(first)) return hostOf(first);
  if (first && typeof first === 'object') {
    const options = first as { host?: string; path?: string };
    if (options.path) return 'localhost';
    return options.host ?? 'localhost';
  }
  if (typeof first === 'string' && Number.isNaN(Number(first))) return 'localhost'; // a socket path
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (host && !loopback.has(host) && !host.startsWith('127.')) {
    throw new Error(`network is closed in tests: refused a connection to ${host}`);
  }
  // biome-ignore lint/suspicious/noExplicitAny: forwarding the overloaded arguments untouched
  return (originalConnect as any).apply(this, args);
} as typeof net.Socket.prototype.connect;
