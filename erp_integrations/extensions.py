"""Flask extensions, created once at import and bound to an app in ``create_app``."""

from flask_sqlalchemy import SQLAlchemy

from .models.base import Base

db = SQLAlchemy(model_class=Base)
