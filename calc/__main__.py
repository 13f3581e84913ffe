try:
    from calc.cli import main
except KeyboardInterrupt:  # Ctrl-C while Python was still starting: a quiet exit too
    raise SystemExit(130) from None

raise SystemExit(main())
