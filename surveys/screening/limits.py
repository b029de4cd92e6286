"""How much one screening survey may hold: one number per thing, read by the services, the
forms and the API alike (as evaluations/services/limits.py is for the AHP stage)."""

from django.utils.translation import gettext_noop

# A questionnaire of more than 30 questions loses its respondents; the micro-store study asked 8.
MAX_QUESTIONS = 30
# Items of one question: candidate indicators to rate, or options of a choice question. A
# rating form posts 2 fields per item (the level and a reason), so 60 keep it far below
# Django's 1,000 fields; a ranking of more than 20 places is beyond what anyone orders.
MAX_ITEMS = 60
MAX_RANKED_ITEMS = 20
# Delphi studies run two or three rounds; ten leaves room without a runaway loop.
MAX_ROUNDS = 10
# Free text: a question's wording, an "other" answer, a reason, a suggestion, a note.
QUESTION_TEXT_LIMIT = 500
OTHER_TEXT_LIMIT = 200
REASON_LIMIT = 500
SUGGESTION_LIMIT = 2000
# A response's JSON, before it is read: far more than 30 questions × 60 items need.
ANSWERS_JSON_LIMIT = 100_000
# The open link: responses started per client address and hour (no CAPTCHA; DESIGN §2.8's
# public questionnaire had 238 respondents in all).
OPEN_LINK_RESPONSES_PER_ADDRESS_HOUR = 20

ERROR_TOO_MANY_QUESTIONS = gettext_noop("A survey may have at most {limit} questions.")
ERROR_TOO_MANY_ITEMS = gettext_noop("A question may have at most {limit} items.")
ERROR_TOO_MANY_RANKED = gettext_noop("A ranking question may have at most {limit} items.")
ERROR_TOO_MANY_ROUNDS = gettext_noop("A survey may run at most {limit} rounds.")
ERROR_TEXT_TOO_LONG = gettext_noop("At most {limit} characters.")
