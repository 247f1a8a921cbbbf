"""The local process runner: every service, the gateway and the ESIA sandbox on one machine."""
