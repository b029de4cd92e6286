"""The screening stage: surveys and Delphi rounds that choose the indicators (DESIGN §2.8)."""
