"""Zone-file presentation form of TXT RDATA (RFC 1035 5.1), decoded
independently of the C code: a sequence of quoted <character-string>s with
the escapes \\X (the byte X) and \\DDD (a decimal byte). Only the quoted form
is accepted; that is all the record corpus uses."""


def decode(text):
    """'"a" "b\\059"' -> [b'a', b'b;'] (bytes per character-string)."""
    if isinstance(text, str):
        text = text.encode("latin-1")
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i:i + 1]
        if c in (b" ", b"\t"):
            i += 1
            continue
        if c != b'"':
            raise ValueError("unquoted text at %d" % i)
        i += 1
        cur = bytearray()
        while True:
            if i >= n:
                raise ValueError("unterminated string")
            c = text[i:i + 1]
            if c == b'"':
                i += 1
                break
            if c == b"\\":
                d = text[i + 1:i + 4]
                if len(d) == 3 and d.isdigit():
                    v = int(d)
                    if v > 255:
                        raise ValueError("\\DDD above 255")
                    cur.append(v)
                    i += 4
                    continue
                if i + 1 >= n:
                    raise ValueError("dangling backslash")
                cur.append(text[i + 1])
                i += 2
                continue
            cur.append(text[i])
            i += 1
        if len(cur) > 255:
            raise ValueError("character-string over 255 bytes")
        out.append(bytes(cur))
    return out


def joined(text):
    return b"".join(decode(text))
