"""The API's JSON parser: DRF's, with the nesting depth bounded before decoding.

Python's decoder recurses once per level of `[` or `{`: 3,000 levels (6 KB) end in a
RecursionError, which nothing above the parser expects. No request body of this API nests
deeper than a few levels (a ballot is an object of a list of objects), so a body nesting
deeper than MAX_DEPTH is refused as a whole with the one error shape, before any decoding.
"""

import io
import re
from itertools import accumulate

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

MAX_DEPTH = 32
ERROR_TOO_DEEP = gettext_noop("The JSON body nests deeper than {limit} levels.")

# String literals are dropped first, so brackets inside text do not count.
STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether `text` opens more than `limit` arrays or objects inside one another.

    Two regular-expression passes and a running sum over the brackets, all in C: a 2.5 MB
    body (Django's upload limit) costs about as much as decoding it. Malformed text is not
    judged here; the decoder refuses it afterwards.
    """
    brackets = NOT_BRACKETS.sub("", STRINGS.sub("", text))
    return max(accumulate(map(STEP.__getitem__, brackets)), default=0) > limit


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        # Undecodable bytes only need to be skipped here: the decoder reports them below.
        text = body.decode(get_encoding(parser_context or {}), errors="replace")
        if json_depth_exceeds(text):
            raise ParseError(_(ERROR_TOO_DEEP).format(limit=MAX_DEPTH), code="too_deep")
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:  # unreachable after the bound above; a backstop all the same
            raise ParseError(_(ERROR_TOO_DEEP).format(limit=MAX_DEPTH), code="too_deep") from None
