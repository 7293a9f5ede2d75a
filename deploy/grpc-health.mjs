// Container healthcheck: asks the process's standard gRPC health service (grpc.health.v1.Health,
// service "") over plain HTTP/2, with nothing but Node, and exits 0 only on SERVING. Plain
// JavaScript on purpose: it runs every few seconds, and tsx plus a gRPC client would cost a
// second of CPU each time.
//   node deploy/grpc-health.mjs [port]     (default: $GRPC_PORT)
import { Buffer } from 'node:buffer';
import console from 'node:console';
import http2 from 'node:http2';
import process from 'node:process';
import { setTimeout } from 'node:timers';

const port = Number(process.argv[2] ?? process.env.GRPC_PORT);
const SERVING = 1;

if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node grpc-health.mjs <port> (or GRPC_PORT)');
  process.exit(2);
}

const client = http2.connect(`http://127.0.0.1:${port}`);
const fail = (why) => {
  console.error(`not healthy: ${why}`);
  client.destroy();
  process.exit(1);
};
client.on('error', (error) => fail(error.message));
setTimeout(() => fail('no answer within 3 s'), 3000).unref();

const request = client.request({
  ':method': 'POST',
  ':path': '/grpc.health.v1.Health/Check',
  'content-type': 'application/grpc',
  te: 'trailers',
});
const chunks = [];
let grpcStatus;
request.on('response', (headers) => {
  if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
});
request.on('trailers', (trailers) => {
  grpcStatus = String(trailers['grpc-status']);
});
request.on('data', (chunk) => chunks.push(chunk));
request.on('error', (error) => fail(error.message));
request.on('end', () => {
  if (grpcStatus !== '0') fail(`grpc-status ${grpcStatus}`);
  // One length-prefixed message: HealthCheckResponse { ServingStatus status = 1; } -> 0x08 <status>.
  const body = Buffer.concat(chunks);
  if (body.length < 5) fail('empty answer');
  const message = body.subarray(5, 5 + body.readUInt32BE(1));
  const status = message.length >= 2 && message[0] === 0x08 ? message[1] : 0;
  client.close();
  if (status !== SERVING) fail(`status ${status}`);
  process.exit(0);
});
// HealthCheckRequest { service: "" } is the empty message: a 5-byte frame, not compressed.
request.end(Buffer.from([0, 0, 0, 0, 0]));
