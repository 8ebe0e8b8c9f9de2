module pipeline-gitlab

go 1.27
