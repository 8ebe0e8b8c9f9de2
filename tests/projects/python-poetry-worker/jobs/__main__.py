from jobs.run import main

main()
