"""TXT RDATA in RFC 1035 presentation form, as the emulators store it.

A TXT record is a list of character-strings (byte strings of at most 255
octets). Providers show it as text: Cloudflare (since 2024) and Route 53
as quoted strings with \\" \\\\ and \\DDD escapes, GoDaddy as raw text.
This module parses and renders that form; it is the emulators' own code,
independent of the C decoders it is used to test.
"""

MAX_STRING = 255


class TxtSyntaxError(ValueError):
    pass


def parse_quoted(text):
    """'"a" "b\\"c"' -> [b'a', b'b"c']. Raises TxtSyntaxError on text
    outside quotes, an unterminated string or a bad escape. Strings are
    returned as written (possibly longer than 255 octets)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
            continue
        if c != '"':
            raise TxtSyntaxError(
                "text outside quotation marks at offset %d" % i)
        i += 1
        buf = bytearray()
        while True:
            if i >= n:
                raise TxtSyntaxError("unterminated quoted string")
            c = text[i]
            if c == '"':
                i += 1
                break
            if c == "\\":
                i, b = _escape(text, i)
                buf += b
                continue
            if c in "\r\n":
                raise TxtSyntaxError("line break inside a quoted string")
            buf += c.encode("utf-8")
            i += 1
        out.append(bytes(buf))
    if not out:
        raise TxtSyntaxError("no character-string")
    return out


def _escape(text, i):
    if i + 1 >= len(text):
        raise TxtSyntaxError("backslash at the end of the content")
    nxt = text[i + 1]
    if nxt.isdigit():
        digits = text[i + 1:i + 4]
        if len(digits) != 3 or not digits.isdigit() or int(digits) > 255:
            raise TxtSyntaxError("bad \\DDD escape '\\%s'" % digits)
        return i + 4, bytes([int(digits)])
    return i + 2, nxt.encode("utf-8")


def chunk(strings, size=MAX_STRING):
    """Split every string longer than size octets; keep the others."""
    out = []
    for s in strings:
        if not s:
            out.append(s)
        for k in range(0, len(s), size):
            out.append(s[k:k + size])
    return out


def render_quoted(strings):
    """[b'a', b'b"c'] -> '"a" "b\\"c"' (\\DDD for bytes outside 0x20-0x7e)."""
    parts = []
    for s in strings:
        buf = []
        for b in s:
            if b in (0x22, 0x5C):
                buf.append("\\" + chr(b))
            elif 0x20 <= b <= 0x7E:
                buf.append(chr(b))
            else:
                buf.append("\\%03d" % b)
        parts.append('"' + "".join(buf) + '"')
    return " ".join(parts)


def raw_strings(text):
    """Unquoted (legacy) content: the octets as one value, served split at
    255 octets."""
    return chunk([text.encode("utf-8")])


def decoded(strings):
    """The value a reader sees: the character-strings concatenated."""
    return b"".join(strings)
