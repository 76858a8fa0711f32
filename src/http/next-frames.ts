/**
 * WebSocket text frames of graphql-ws `next` messages, built once per event and operation id.
 * Every subscriber of a shared feed gets the same payload, and most clients number their
 * operations alike ("1", "2", …), so a thousand subscribers mostly share a handful of frames:
 * delivering one is a single write of ready bytes.
 */
export class NextFrames {
  private payload: string | null = null;
  private readonly byId = new Map<string, Buffer>();

  /** The frame carrying `payload` (JSON text) for operation `id`. */
  frame(id: string, payload: string): Buffer {
    if (payload !== this.payload) {
      this.payload = payload;
      this.byId.clear();
    }
    let frame = this.byId.get(id);
    if (!frame) {
      frame = textFrame(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
      this.byId.set(id, frame);
    }
    return frame;
  }
}

/** An unmasked, unfragmented text frame (RFC 6455 §5.2), as a server sends it. */
export function textFrame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const length = body.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN + text
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  body.copy(frame, headerLength);
  return frame;
}
