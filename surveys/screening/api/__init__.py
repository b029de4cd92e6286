"""The screening stage's REST API: coordinators' surveys and rounds, respondents' answers."""
