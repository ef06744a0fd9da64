module chanlings/bench

go 1.19
