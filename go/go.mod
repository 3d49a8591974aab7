module github.com/countermark/countermark/go

go 1.22
