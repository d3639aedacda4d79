"""Event generation: conditional flow matching for ttbar + jets (GitHub issue 7)."""
