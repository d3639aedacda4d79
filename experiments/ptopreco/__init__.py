"""Top momentum reconstruction: regress the true top four-momentum of a top jet from its
constituents with PELICAN's four-vector head (Lorentz covariant without beams)."""
