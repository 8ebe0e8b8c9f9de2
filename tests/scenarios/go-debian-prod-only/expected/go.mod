module go-debian-prod-only

go 1.27
