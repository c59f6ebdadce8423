import bcrypt from 'bcryptjs';
import { parentPort } from 'node:worker_threads';
import type { HashAnswer, HashRequest } from './password-hasher';

// The worker side of password-hasher.ts: bcrypt's synchronous API, where blocking harms no one.

const port = parentPort!;
port.on('message', (request: HashRequest) => {
  let answer: HashAnswer;
  try {
    const value = request.type === 'hash' ? bcrypt.hashSync(request.password, request.cost) : bcrypt.compareSync(request.password, request.hash);
    answer = { id: request.id, value };
  } catch (error) {
    answer = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer);
});
