module example.com/acme/inventory

go 1.24
