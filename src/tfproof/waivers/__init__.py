"""Waivers: the waivers file's schema, its line marks for messages, and the one matcher.

- `schema`: pydantic model of one waiver (owner, reason, expiry, control, resource)
- `lines`: YAML with line numbers, so an error names the line to fix
- `matcher`: loading the file and applying waivers to findings
"""
