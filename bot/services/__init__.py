"""Services: the rules. They take an open transaction and never open their own."""
