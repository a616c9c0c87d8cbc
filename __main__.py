"""Entry point of the Pulumi program: `pulumi up --stack <name>` runs this."""

from components.program import main

main()
