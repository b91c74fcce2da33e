"""Placeholder: filled once the store API for this page exists."""

from fastapi import APIRouter

router = APIRouter()
