"""依申请公开: citizens apply for government information and get a lawful answer on time.

`service` is the lifecycle (transition table, audit), `rules` the regulation's data from
`knowledge/disclosure/`, `clock` the working-day answer clock, `report` the annual-report
table, `monitor` the 督办 and 补正 lapse run, `cli` the `python -m bot disclosure` commands.
"""
