from chamber_qa.cli import main

main()
