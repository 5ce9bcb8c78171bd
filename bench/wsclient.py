"""A small asyncio websocket client (RFC 6455, text frames) for the chat benchmark and the
scale-out test: what a browser does, without a browser. Only what those need: connect with
headers (the session cookie, the origin), send and receive JSON, see the close code."""

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import struct

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Closed(Exception):
    def __init__(self, code: int | None) -> None:
        super().__init__(f"websocket closed ({code})")
        self.code = code


class WebSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send_json(self, data: dict) -> None:
        await self._send_frame(0x1, json.dumps(data).encode())

    async def receive_json(self, timeout: float = 10) -> dict:
        return json.loads(await asyncio.wait_for(self._receive_text(), timeout))

    async def close(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self._send_frame(0x8, struct.pack("!H", 1000))
        self.writer.close()

    async def _send_frame(self, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        mask = os.urandom(4)  # clients must mask what they send
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.writer.write(header + mask + masked)
        await self.writer.drain()

    async def _receive_text(self) -> str:
        parts: list[bytes] = []
        while True:
            first, second = await self.reader.readexactly(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
            payload = await self.reader.readexactly(length)  # servers do not mask
            if opcode == 0x8:
                raise Closed(struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None)
            if opcode == 0x9:
                await self._send_frame(0xA, payload)
                continue
            if opcode in (0x0, 0x1):
                parts.append(payload)
                if first & 0x80:
                    return b"".join(parts).decode()


async def connect(port: int, path: str, *, cookie: str = "", host: str = "127.0.0.1") -> WebSocket:
    """Open ws://host:port/path as a browser on that origin would; raises Closed(None) when the
    server refuses the handshake."""
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Origin: http://{host}:{port}",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    response = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
    if not response.startswith("HTTP/1.1 101") or accept not in response:
        writer.close()
        raise Closed(None)
    return WebSocket(reader, writer)
