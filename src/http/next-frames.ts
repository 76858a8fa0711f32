/** The text every graphql-ws `next` message for operation `id` starts with, as bytes. */
export function nextMessageHead(id: string): Buffer {
  return Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`, 'utf8');
}

const TAIL = 0x7d; // "}"

/**
 * WebSocket text frames of graphql-ws `next` messages. Every subscriber of a shared feed gets the
 * same payload, so it is encoded once per event; a subscriber's frame is then its operation's
 * head (encoded once per subscription), the payload and a closing brace, copied into one buffer.
 */
export class NextFrames {
  private payload: string | null = null;
  private payloadBytes: Buffer = Buffer.alloc(0);

  /** The frame carrying `payload` (JSON text) after `head` (see nextMessageHead). */
  frame(head: Buffer, payload: string): Buffer {
    if (payload !== this.payload) {
      this.payload = payload;
      this.payloadBytes = Buffer.from(payload, 'utf8');
    }
    const length = head.length + this.payloadBytes.length + 1;
    const frame = Buffer.allocUnsafe(frameHeaderLength(length) + length);
    let offset = writeFrameHeader(frame, length);
    offset += head.copy(frame, offset);
    offset += this.payloadBytes.copy(frame, offset);
    frame[offset] = TAIL;
    return frame;
  }
}

function frameHeaderLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
}

/** Writes FIN + text opcode and the payload length; returns where the payload starts. */
function writeFrameHeader(frame: Buffer, payloadLength: number): number {
  frame[0] = 0x81;
  if (payloadLength < 126) {
    frame[1] = payloadLength;
    return 2;
  }
  if (payloadLength < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadLength, 2);
    return 4;
  }
  frame[1] = 127;
  frame.writeBigUInt64BE(BigInt(payloadLength), 2);
  return 10;
}
