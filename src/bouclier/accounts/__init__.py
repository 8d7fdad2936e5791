"""Accounts: who may act on Bouclier and how they prove it — API keys for platforms and tools
(:mod:`bouclier.accounts.api_keys`), analysts' console accounts (:mod:`bouclier.accounts.analysts`)
and the web sign-in sessions of analysts and victims (:mod:`bouclier.accounts.sessions`).

These stores sit below the presentation layers: the API (``bouclier.api``), the web pages
(``bouclier.web``) and the CLI (``bouclier.cli``) all use them, and they import none of those.
"""
