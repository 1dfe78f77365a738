zhixing_store::backend_tests! {}
