"""Top momentum reconstruction: regress the true top four-momentum of a top jet from its
constituents with a Lorentz-covariant network."""
