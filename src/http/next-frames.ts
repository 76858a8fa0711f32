/** The text every graphql-ws `next` message for operation `id` starts with, as bytes. */
export function nextMessageHead(id: string): Buffer {
  return Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`, 'utf8');
}

const TAIL = 0x7d; // "}"

/** Bytes of the WebSocket text frame carrying `head`, `payload` and the closing brace. */
export function nextFrameLength(head: Buffer, payload: Buffer): number {
  const length = head.length + payload.length + 1;
  return frameHeaderLength(length) + length;
}

/** Writes that frame into `target` at `offset` (it must have nextFrameLength bytes there); returns where it ends. */
export function writeNextFrame(target: Buffer, offset: number, head: Buffer, payload: Buffer): number {
  let at = writeFrameHeader(target, offset, head.length + payload.length + 1);
  at += head.copy(target, at);
  at += payload.copy(target, at);
  target[at] = TAIL;
  return at + 1;
}

function frameHeaderLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
}

/** Writes FIN + text opcode and the payload length at `offset`; returns where the payload starts. */
function writeFrameHeader(frame: Buffer, offset: number, payloadLength: number): number {
  frame[offset] = 0x81;
  if (payloadLength < 126) {
    frame[offset + 1] = payloadLength;
    return offset + 2;
  }
  if (payloadLength < 65_536) {
    frame[offset + 1] = 126;
    frame.writeUInt16BE(payloadLength, offset + 2);
    return offset + 4;
  }
  frame[offset + 1] = 127;
  frame.writeBigUInt64BE(BigInt(payloadLength), offset + 2);
  return offset + 10;
}
