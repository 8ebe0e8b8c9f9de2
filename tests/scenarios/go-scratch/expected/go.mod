module go-scratch

go 1.27
