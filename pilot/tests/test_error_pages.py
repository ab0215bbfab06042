def test_refusal_page_is_in_chinese(clients):
    response = clients.lead.get("/review/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_missing_page_is_in_chinese(clients):
    response = clients.lead.get("/tasks/999999/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
