"""152-ФЗ at the gateway (R-5): a subject's requests for their data and its correction (arts. 14, 20, 21), and the
register of personal-data breaches with the deadlines for notifying Роскомнадзор (art. 21 part 3.1)."""
