import zlib from 'node:zlib';
import { gunzip } from '../../src/protocol/gunzip';

const body = Buffer.from(JSON.stringify(Array.from({ length: 5_000 }, (_, i) => ({ version: i, notes: `row ${i}` }))));

/** The same gzip body with its trailer's size field (the last four bytes) replaced. */
function withStatedSize(gzipped: Buffer, size: number): Buffer {
  const copy = Buffer.from(gzipped);
  copy.writeUInt32LE(size, copy.length - 4);
  return copy;
}

describe('gunzip', () => {
  it('gives back the body, small or large', async () => {
    await expect(gunzip(zlib.gzipSync(body), 1 << 20)).resolves.toEqual(body);
    await expect(gunzip(zlib.gzipSync('{}'), 1 << 20)).resolves.toEqual(Buffer.from('{}'));
  });

  it('treats the size the trailer states as a hint only', async () => {
    const gzipped = zlib.gzipSync(body);
    // zlib checks the size itself: a wrong one is refused whatever the piece size it led to.
    await expect(gunzip(withStatedSize(gzipped, 10), 1 << 20)).rejects.toThrow();
    await expect(gunzip(withStatedSize(gzipped, 0xffffffff), 1 << 20)).rejects.toThrow();
    // Several members: the trailer states the last one's size only.
    const twice = Buffer.concat([zlib.gzipSync(body), zlib.gzipSync('tail')]);
    await expect(gunzip(twice, 1 << 20)).resolves.toEqual(Buffer.concat([body, Buffer.from('tail')]));
  });

  it('refuses a body larger than the limit, whatever its trailer states', async () => {
    const limit = body.length - 1;
    await expect(gunzip(zlib.gzipSync(body), limit)).rejects.toMatchObject({ code: 'ERR_BUFFER_TOO_LARGE' });
    await expect(gunzip(withStatedSize(zlib.gzipSync(body), 100), limit)).rejects.toThrow();
    await expect(gunzip(withStatedSize(zlib.gzipSync(body), body.length * 1000), limit)).rejects.toThrow();
  });
});
