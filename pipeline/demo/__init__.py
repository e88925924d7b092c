"""The demo: a synthetic organisation, end to end (``planwatch demo``).

:mod:`.population` invents people of every service, one module per service writes their
histories (:mod:`.histories`, :mod:`.refuge`, :mod:`.families`, :mod:`.hil`,
:mod:`.sds`, sharing :mod:`.common`), and :mod:`.run` fills their forms with Planwatch's
own fillers and drops them into a workspace's inbox. It may import any package but the
command line, which calls it.
"""
