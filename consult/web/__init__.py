"""HTTP plumbing shared by every blueprint: error pages, security headers, Jinja helpers, form
helpers, argument parsing and the page store. Nothing here knows a rule of the domain."""
