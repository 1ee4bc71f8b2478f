// Preloaded into the Community Solid Server by bench/webdav-peers.sh (NODE_OPTIONS=--require):
// CSS has no bind-address option and listens on every interface; this puts any listen() that
// names only a port on 127.0.0.1, so the benchmark never opens a port beyond loopback.
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function patchedListen(...args) {
  const first = args[0];
  const portOnly = typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first));
  if (portOnly && typeof args[1] !== 'string') {
    args.splice(1, 0, '127.0.0.1');
  } else if (first && typeof first === 'object' && 'port' in first && !first.host && !first.path) {
    args[0] = Object.assign({}, first, { host: '127.0.0.1' });
  }
  return listen.apply(this, args);
};
