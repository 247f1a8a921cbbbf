"""Delivery by e-mail, SMS and Web Push: provider adapters and the sender loop (R-51)."""
