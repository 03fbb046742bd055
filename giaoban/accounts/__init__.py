"""Who signs in and how: two-factor sign-in (django-otp + django-two-factor-auth), the API tokens a user owns,
the password pages and the account page."""
