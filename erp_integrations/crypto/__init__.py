from .keyring import DecryptionError, KeyRing, KeyRingError, generate_key_entry

__all__ = ["DecryptionError", "KeyRing", "KeyRingError", "generate_key_entry"]
