"""Pure rules of the gateway: account matching, sessions, what the proxy forwards."""
