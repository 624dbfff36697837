"""One declarative mapper per ERP entity, from TikTok Shop documents (202309+ shapes)."""
