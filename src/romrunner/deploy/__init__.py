"""Deploy: what goes where on a device's card, and copying it there safely."""
