"""ldrc: the LVS Direct-Routing Compiler."""

__version__ = "0.1.0"
