"""Cloudflare list calls: page/per_page bounds, result_info, and the
filters of GET /zones (name with an operator prefix) and GET
/zones/{id}/dns_records (name/content/comment, plain, .exact, .contains,
.startswith, .endswith; case-insensitive; match=all|any)."""
import math

from .cf_records import ApiError, err


def bad_param(message):
    # Shape observed for an out-of-range per_page (6008 + chain); the
    # chain code is the emulator's own.
    return ApiError(400, [err(6008, "Invalid request parameters",
                              [{"code": 1001, "message": message}])])


def paging(req, default, lo, hi):
    try:
        page = int(req.arg("page", "1"))
        per_page = int(req.arg("per_page", str(default)))
    except ValueError:
        raise bad_param("page and per_page must be numbers")
    if page < 1:
        raise bad_param("page must be a number of at least 1")
    if not lo <= per_page <= hi:
        raise bad_param("per_page must be a number between %d and %d"
                        % (lo, hi))
    return page, per_page


def one_page(items, page, per_page, render):
    total = len(items)
    chunk = items[(page - 1) * per_page:page * per_page]
    return [render(i) for i in chunk], {
        "page": page, "per_page": per_page, "count": len(chunk),
        "total_count": total,
        "total_pages": math.ceil(total / per_page) if total else 0}


def select(items, tests, match):
    if not tests:
        return list(items)
    combine = any if match == "any" else all
    return [i for i in items if combine(t(i) for t in tests)]


def name_op(value):
    """The zones list's name filter: 'op:value', op defaulting to equal."""
    op, sep, rest = value.partition(":")
    ops = {"equal", "not_equal", "starts_with", "ends_with", "contains",
           "starts_with_case_sensitive", "ends_with_case_sensitive",
           "contains_case_sensitive"}
    if not sep or op not in ops:
        op, rest = "equal", value
    cs = op.endswith("_case_sensitive")
    base = op.replace("_case_sensitive", "")
    want = rest if cs else rest.lower()

    def f(name):
        n = name if cs else name.lower()
        return {"equal": n == want, "not_equal": n != want,
                "starts_with": n.startswith(want),
                "ends_with": n.endswith(want),
                "contains": want in n}[base]
    return f


def text_filters(req, field, zone):
    """name / content / comment filters: plain and .exact are an exact
    match, .contains/.startswith/.endswith substrings; all ignore case."""
    out = []
    for suffix, fn in (("", str.__eq__), (".exact", str.__eq__),
                       (".contains", lambda a, b: b in a),
                       (".startswith", str.startswith),
                       (".endswith", str.endswith)):
        v = req.arg(field + suffix)
        if v is None:
            continue
        want = v.lower()
        if field == "name" and suffix in ("", ".exact") and want == "@":
            want = zone["name"]
        out.append(lambda r, w=want, f=fn: r.get(field) is not None
                   and f((r.get(field) or "").lower(), w))
    return out
