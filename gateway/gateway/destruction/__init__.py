"""Уничтожение персональных данных по истечении сроков хранения (152-ФЗ ст. 21, R-5).

The gateway proposes to the administrator the people whose every record has expired in every service, and on
their confirmation runs the destruction: each service removes that person's rows (``chassis.destruction``),
the gateway its own last, each step recorded in the run; a service that cannot be reached leaves the run
«не завершено» and a retry finishes it. The act (``act.py``) says what went, when, by whose decision and on
what grounds.
"""
