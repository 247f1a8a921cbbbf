"""The chassis: the one way every service does the shared things."""
