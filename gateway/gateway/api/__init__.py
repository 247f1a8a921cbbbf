"""One router per resource: login, the caller, the diary, the proxy, the pages."""
